from django.urls import path

from qingdan.ledgers import project_views, views

app_name = "ledgers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("coverage/", views.coverage, name="coverage"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/photos/<int:photo_id>/", views.visit_photo, name="visit_photo"),
    path("liaisons/", views.liaison_list, name="liaisons"),
    path("study/", views.session_list, name="sessions"),
    path("study/new/", views.session_new, name="session_new"),
    path("study/<int:session_id>/", views.session_detail, name="session"),
    path("study/<int:session_id>/photos/<int:photo_id>/", views.session_photo, name="session_photo"),
    path("study/<int:session_id>/make-up/", views.session_make_up, name="session_make_up"),
    path("study/<int:session_id>/all-present/", views.session_all_present, name="session_all_present"),
    path("import/", views.ledger_import, name="import"),
    path("export/<str:ledger>.xlsx", views.ledger_export, name="export"),
    path("research/", views.topic_list, name="topics"),
    path("research/<int:topic_id>/", views.topic_detail, name="topic"),
    path("projects/<int:item_id>/milestones/", project_views.milestone_add, name="milestone_add"),
    path("projects/<int:item_id>/milestones/<int:milestone_id>/reached/", project_views.milestone_reach,
         name="milestone_reach"),
    path("projects/<int:item_id>/figures/", project_views.project_figures, name="project_figures"),
]
