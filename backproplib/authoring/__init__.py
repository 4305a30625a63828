"""Authoring: tools for instructors and maintainers — network descriptions, the chapter generator,
student and instructor editions, install cells and the table of contents."""
