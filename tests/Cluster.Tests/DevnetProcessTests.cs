using System.Diagnostics;

namespace Kiln.Cluster.Tests;

/// <summary>README's first command, short mode: kiln-miner devnet with two kiln-worker processes.</summary>
public sealed class DevnetProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-devnet-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Devnet_seals_two_cc_sectors_through_every_stage_to_proving_on_two_worker_processes()
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "kiln-miner"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "devnet", "--workers", "2", "--sectors", "2", "--dir", _dir })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await p.WaitForExitAsync(timeout.Token);
        var output = await stdout;

        Assert.True(p.ExitCode == 0, output + await stderr);
        Assert.Contains("all 2 sectors sealed through AP, PC1, PC2, C1, C2 and FIN: Proving (insecure test proofs)", output, StringComparison.Ordinal);
        var jobLines = output.Split('\n').Where(l => l.StartsWith("devnet-worker-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, jobLines.Count(l => l.Contains(" AP ", StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal)));
        Assert.Equal(2, jobLines.Count(l => l.Contains(" PC1 ", StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal)));
        foreach (var task in new[] { " PC2 ", " C1 ", " C2 ", " FIN " })
        {
            Assert.Equal(2, jobLines.Count(l => l.Contains(task, StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal)));
        }

        Assert.Contains("INSECURE TEST PROOFS", output, StringComparison.Ordinal);

        // Then Window PoSt of both sectors' deadlines and a Winning PoSt round, through the PoSt worker processes.
        Assert.Contains("Window PoSt of every sector and Winning PoSt (epoch", output, StringComparison.Ordinal);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("devnet-wdpost-1", StringComparison.Ordinal) && l.Contains(" WDP ", StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_dir, "miner", "jobs.sqlite")));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "miner"), "jobs-*.log"));
    }
}
