"""The sync engine: connections, pull (CRM → hub), push (hub → CRM), social history, runs and errors."""
