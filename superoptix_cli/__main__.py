from superoptix_cli.app import main

main()
