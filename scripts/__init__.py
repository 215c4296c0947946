"""The command line: train, evaluate, results, play, inspect, benchmark."""
