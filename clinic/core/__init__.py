"""The project's plumbing: imports no domain module (patients, treatments,
the calendar in clinic/). See ARCHITECTURE.md."""
