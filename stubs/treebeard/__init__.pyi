# The part of django-treebeard qingdan uses (it ships no types): see mp_tree.pyi.
