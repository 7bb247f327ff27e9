"""Notifications in the personal cabinet: every change of an application is one."""
