"""Pure movement understanding: reps (offline and the live RepCounter), camera view, exercise
and the judged leg."""
