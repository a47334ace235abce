from briefing.cli import main

if __name__ == "__main__":  # guarded: speech worker processes are spawned and import this module
    main()
