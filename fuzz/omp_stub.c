/*
** omp_stub.c — the two OpenMP calls the model makes, for fuzz builds made
** without an OpenMP runtime (the fuzzers run on one thread).
*/
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_thread_num(void) { return 0; }
int omp_get_num_threads(void) { return 1; }
