"""The peer in the forecasting benchmark: statsforecast's AutoETS on the M3 monthly series.

Usage: python3 m3_statsforecast.py m3_data.json out.json
Writes each series' point forecast and the CPU seconds spent forecasting (process time after
the imports, so numba's compilation on the first call counts, as it would for a user).
"""
import json
import sys
import time

import numpy as np
import statsforecast
from statsforecast.models import AutoETS

data = json.load(open(sys.argv[1]))
monthly = sorted((k, v) for k, v in data.items() if v["period"][0] == "MONTHLY")
start = time.process_time()
forecasts = {}
for key, s in monthly:
    y = np.asarray(s["x"], dtype=float)
    forecasts[key] = [float(v) for v in AutoETS(season_length=12).forecast(y=y, h=s["h"][0])["mean"]]
cpu = time.process_time() - start
json.dump({"name": f"statsforecast {statsforecast.__version__} AutoETS", "cpu_seconds": cpu, "forecasts": forecasts}, open(sys.argv[2], "w"))
print(f"statsforecast: {len(forecasts)} series, {cpu:.1f} CPU s")
