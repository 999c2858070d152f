from bench.pool.run import main

main()
