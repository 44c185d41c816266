using System.Diagnostics;

namespace Kiln.Cluster.Tests;

/// <summary>README's first command, short mode: kiln-miner devnet with two kiln-worker processes.</summary>
public sealed class DevnetProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-devnet-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs <c>kiln-miner devnet</c> with <paramref name="args"/> to its end; its output, after asserting exit code 0.</summary>
    private async Task<string> RunDevnetAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "kiln-miner"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "devnet", "--dir", _dir }.Concat(args))
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
        return output;
    }

    private static int Ran(string[] lines, string host, string task) =>
        lines.Count(l => l.StartsWith(host, StringComparison.Ordinal) && l.Contains(task, StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal));

    [Fact]
    public async Task Devnet_seals_two_cc_sectors_through_every_stage_to_proving_on_two_worker_processes()
    {
        var output = await RunDevnetAsync("--workers", "2", "--sectors", "2");

        Assert.Contains("all 2 sectors sealed through AP, PC1, PC2, C1, C2 and FIN: Proving (insecure test proofs)", output, StringComparison.Ordinal);
        // AP and PC1 on the PC1 host, PC2, C1 and C2 on the PC2 host (one shared sealing path); FIN on either.
        var lines = output.Split('\n');
        int Ran(string host, string task) => DevnetProcessTests.Ran(lines, host, task);
        Assert.Equal((2, 2), (Ran("devnet-pc1 ", " AP "), Ran("devnet-pc1 ", " PC1 ")));
        Assert.Equal((2, 2, 2), (Ran("devnet-pc2 ", " PC2 "), Ran("devnet-pc2 ", " C1 "), Ran("devnet-pc2 ", " C2 ")));
        Assert.Equal((0, 0, 0, 0, 0), (Ran("devnet-pc2 ", " AP "), Ran("devnet-pc2 ", " PC1 "), Ran("devnet-pc1 ", " PC2 "), Ran("devnet-pc1 ", " C1 "), Ran("devnet-pc1 ", " C2 ")));
        Assert.Equal(2, Ran("devnet-pc", " FIN "));

        // One shared path: nothing was fetched between the hosts.
        Assert.Contains("devnet-pc1 (storage shared): fetched 0 file(s), 0 B over /remote", output, StringComparison.Ordinal);
        Assert.Contains("devnet-pc2 (storage shared): fetched 0 file(s), 0 B over /remote", output, StringComparison.Ordinal);

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

        // No token in any process's log (the workers' logs, the miner's job logs); the only one printed is the
        // dashboard's read token on the devnet's own console, for the operator to open the page.
        var logs = Directory.GetFiles(_dir, "*.log", SearchOption.AllDirectories);
        Assert.NotEmpty(logs);
        Assert.All(logs, log => Assert.DoesNotContain(Kiln.Api.Auth.LotusToken.HeaderSegment, File.ReadAllText(log), StringComparison.Ordinal));
        Assert.Equal(1, lines.Count(l => l.Contains(Kiln.Api.Auth.LotusToken.HeaderSegment, StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("dashboard http://", StringComparison.Ordinal) && l.Contains("/ui?token=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_separate_storage_the_pc2_host_fetches_what_pc1_wrote()
    {
        var output = await RunDevnetAsync("--workers", "2", "--sectors", "1", "--separate-storage", "--proving=false");

        Assert.Contains("all 1 sectors sealed through AP, PC1, PC2, C1, C2 and FIN: Proving (insecure test proofs)", output, StringComparison.Ordinal);
        var lines = output.Split('\n');
        Assert.Equal((1, 1), (Ran(lines, "devnet-pc1 ", " PC1 "), Ran(lines, "devnet-pc2 ", " PC2 ")));
        var fetched = lines.Single(l => l.StartsWith("devnet-pc2 (storage devnet-pc2-storage): fetched ", StringComparison.Ordinal));
        var files = int.Parse(fetched.Split("fetched ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(files > 0, fetched);
    }
}
