print("platform-sim")
