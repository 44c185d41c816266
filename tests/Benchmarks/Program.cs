using BenchmarkDotNet.Running;

if (args is ["mining", .. var rest])
{
    await Kiln.Benchmarks.MiningRoundBench.RunAsync(rest);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Kiln.Benchmarks.LabelingBenchmarks).Assembly).Run(args);
