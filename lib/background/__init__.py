"""Long work off the script thread: jobs and their slots, the local and shared queues, worker processes."""
