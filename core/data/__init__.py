"""Caption datasets: readers for the common formats and the CLIP feature cache."""
