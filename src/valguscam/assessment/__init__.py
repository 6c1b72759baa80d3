"""Pure judgement: collapse events, per-rep and per-side verdicts, asymmetry, advice."""
