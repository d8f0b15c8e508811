print("keyledger-demo")
