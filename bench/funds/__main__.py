from bench.funds.run import main

main()
