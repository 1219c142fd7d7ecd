"""The schedule cache: pulls the hubs' directories and free slots into the local database."""

from workstation.services.sync.runner import SyncProgress, SyncSummary, sync_hub

__all__ = ["SyncProgress", "SyncSummary", "sync_hub"]
