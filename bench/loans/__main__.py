from bench.loans.run import main

main()
