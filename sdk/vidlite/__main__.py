from vidlite.cli import main

raise SystemExit(main())
