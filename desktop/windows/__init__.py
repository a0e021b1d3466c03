"""The application's windows."""
