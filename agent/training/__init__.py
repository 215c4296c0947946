"""Training by self-play: the run's options, self-play and its actor, replay, the learner (`Trainer`), the run
loop (`train`), the run's log and the choice of the play search it publishes."""
