"""What every part of recwatch shares and that imports nothing of recwatch: the guarantees that must
hold the same in the loader, the dashboard and the reports live here once."""
