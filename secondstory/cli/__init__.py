"""The ``secondstory`` command: the click group and one module per command group.

``main`` holds the group and the entry point; each other module holds the
commands of one group and calls the same services as the web views and the API.
Nothing is imported here, so ``review`` and ``parse`` still run without Django.
"""
