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
        // AP and PC1 on the PC1 host, PC2 and C2 on the PC2 host (one shared sealing path); C1 and FIN on either.
        var lines = output.Split('\n');
        int Ran(string host, string task) => lines.Count(l => l.StartsWith(host, StringComparison.Ordinal) && l.Contains(task, StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal));
        Assert.Equal((2, 2), (Ran("devnet-pc1 ", " AP "), Ran("devnet-pc1 ", " PC1 ")));
        Assert.Equal((2, 2), (Ran("devnet-pc2 ", " PC2 "), Ran("devnet-pc2 ", " C2 ")));
        Assert.Equal((0, 0, 0, 0), (Ran("devnet-pc2 ", " AP "), Ran("devnet-pc2 ", " PC1 "), Ran("devnet-pc1 ", " PC2 "), Ran("devnet-pc1 ", " C2 ")));
        foreach (var task in new[] { " C1 ", " FIN " })
        {
            Assert.Equal(2, Ran("devnet-pc", task));
        }

        Assert.Contains("devnet-pc1: PC1 host (AP, PC1); storage shared", output, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("sector 1: PC1 layer 2/2", StringComparison.Ordinal));
        Assert.Contains("INSECURE TEST PROOFS", output, StringComparison.Ordinal);

        // Then Window PoSt of both sectors' deadlines and a Winning PoSt round, through the PoSt worker processes.
        Assert.Contains("Window PoSt of every sector and Winning PoSt (epoch", output, StringComparison.Ordinal);
        // At least one partition per deadline (a slow run can reach a deadline a second time before the other's).
        Assert.True(Ran("devnet-wdpost-1 ", " WDP ") >= 2, "both deadlines proven on the window PoSt worker");
        Assert.Equal(1, Ran("devnet-wnpost-1 ", " WNP "));

        // The PoSt summary: both deadlines proven by the window worker, a winning round on the winning worker, one deadline's timeline.
        Assert.Contains("PoSt summary", output, StringComparison.Ordinal);
        Assert.Equal(2, lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d+\s+\d+\s+1\s+1\s+devnet-wdpost-1\s+\S+\s+Succeeded")));
        Assert.Contains(lines, l => l.StartsWith("Winning PoSt: epoch ", StringComparison.Ordinal) && l.Contains("proven by devnet-wnpost-1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("vanilla ", StringComparison.Ordinal) && l.Contains("devnet-wdpost-1", StringComparison.Ordinal) && l.Contains("worker-reported", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_dir, "miner", "jobs.sqlite")));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "miner"), "jobs-*.log"));
    }
}
