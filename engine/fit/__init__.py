"""The rules' coefficients judged against data: inference (`wargame fit`, pyabc) and sensitivity
(`wargame sensitivity`, SALib: sensitivity.py, sens_command.py). The libraries come with the
optional extra `fit` (`pip install -e '.[fit]'`); nothing here imports them at module level, so the
core install can import this package and say in one line what is missing."""
