"""The frozen desktop executable: the tray app, or the speech host when asked for it."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--speech-host"]:
        from vocalens.desktop.speech.host import main as host

        host()
        sys.exit(0)
    from vocalens.desktop.main import main

    sys.exit(main())
