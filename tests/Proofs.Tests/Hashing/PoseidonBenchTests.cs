using System.Text.Json;
using Kiln.Worker.Bench;
using Kiln.Worker.Cli;

namespace Kiln.Proofs.Tests.Hashing;

/// <summary><c>kiln-worker bench poseidon</c> in-process, on a very short run.</summary>
public class PoseidonBenchTests
{
    [Fact]
    public void Bench_reports_rates_and_baselines_per_arity()
    {
        var report = PoseidonBench.Run([2, 8], 0.05, 1, null, CancellationToken.None);

        Assert.Equal([2, 8], report.Arities.Select(a => a.Arity));
        Assert.All(report.Arities, a =>
        {
            Assert.True(a.HashesPerSecond > 0);
            Assert.True(a.BestHashesPerSecondPerThread >= a.HashesPerSecond * 0.5);
            Assert.True(a.ReferenceHashesPerSecond > 0);
            Assert.True(a.MultiplicationsPerHash > 10);
        });
        Assert.True(report.NanosecondsPerMultiplication > 0);

        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(57, json.RootElement.GetProperty("arities")[1].GetProperty("partialRounds").GetInt32());
        Assert.Contains("hashes/s", report.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_command_is_registered()
        => Assert.Contains(BenchCommands.Build().Subcommands, c => c.Name == "poseidon");
}
