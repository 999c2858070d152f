from bench.report.run import main

main()
