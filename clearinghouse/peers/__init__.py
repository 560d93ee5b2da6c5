"""Finding peers: LEAs like yours and their practices, similar practices (issue 11)."""
