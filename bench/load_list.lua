-- wrk script for figure 10's list throughput: the same authorised GET, over and over.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY")
