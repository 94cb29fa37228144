print("docqa UI: not yet")
