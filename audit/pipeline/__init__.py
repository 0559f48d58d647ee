"""The application: a run's lifecycle (session), evaluating a stored run again, and the
verdict that becomes the exit code. It reports through a `ui` the command line gives (its
`err`, `out` and `progress`): the library never prints."""
