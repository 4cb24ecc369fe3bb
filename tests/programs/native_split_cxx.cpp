// native_split_cxx.cpp - the 3:1 split in C++ (namespaces, templates,
// overloads) so the test sees demangled names:
// scorch_test::Worker<int>::heavy() and scorch_test::Worker<int>::light().
#include <cstdlib>

volatile unsigned long cxx_sink, cxx_calls;

namespace scorch_test {

template <typename T> struct Worker {
	__attribute__((noinline)) static void spin(T n)
	{
		for (T i = 0; i < n; i++)
			cxx_sink += (unsigned long)i * i;
	}
	__attribute__((noinline, noclone)) void heavy() { spin(150000000); cxx_calls++; }
	__attribute__((noinline, noclone)) void light() { spin(50000000); cxx_calls++; }
};

} // namespace scorch_test

int main(int argc, char **argv)
{
	int reps = argc > 1 ? std::atoi(argv[1]) : 4;
	scorch_test::Worker<long> w;

	for (int i = 0; i < reps; i++) {
		w.heavy();
		w.light();
	}
	return cxx_calls == 0;
}
