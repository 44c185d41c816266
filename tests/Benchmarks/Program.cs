using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Kiln.Benchmarks.LabelingBenchmarks).Assembly).Run(args);
