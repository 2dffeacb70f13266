INTRO = ""
