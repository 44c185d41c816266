using BenchmarkDotNet.Running;

// `deadline-submit [runs]`: deadline open to SubmitWindowedPoSt pushed through the proving loop on the stand-in full node.
if (args is ["deadline-submit", ..])
{
    await Kiln.Benchmarks.DeadlineWallTimeBenchmarks.SubmitTiming.RunAsync(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

// `mining [rounds] [poll ms]`: new head to SyncSubmitBlock over simulated rounds against the stand-in full node.
if (args is ["mining", .. var rest])
{
    await Kiln.Benchmarks.MiningRoundBench.RunAsync(rest);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Kiln.Benchmarks.LabelingBenchmarks).Assembly).Run(args);
