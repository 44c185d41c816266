using System.Net;

namespace Kiln.Cluster.Tests;

/// <summary>/debug/metrics of kiln-miner and kiln-worker after a pledged sector's AddPiece ran on the worker.</summary>
public sealed class MetricsClusterTests : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();

    public async Task InitializeAsync()
    {
        await _cluster.StartMinerAsync();
        await _cluster.StartWorkerAsync();
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker registers");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Both_processes_count_the_tasks_of_a_pledged_sector()
    {
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        using var http = new HttpClient();
        var minerUrl = new Uri(_cluster.Miner.RpcUrl, "/debug/metrics");
        const string AddPieces = "kiln_miner_tasks_total{outcome=\"succeeded\",task=\"seal/v0/addpiece\"} 1\n";
        var miner = "";
        // The tracker raises Changed after a finished task's metrics are recorded: a scrape after it sees them.
        await ClusterFixture.JobsAsync(
            _cluster.Miner.Jobs,
            async () => (miner = await ScrapeAsync(http, minerUrl)).Contains(AddPieces, StringComparison.Ordinal),
            "the miner counts the pledged sector's AddPiece");
        Assert.Contains("kiln_miner_task_duration_seconds_count{outcome=\"succeeded\",task=\"seal/v0/addpiece\"} 1\n", miner, StringComparison.Ordinal);
        Assert.Contains("kiln_miner_workers{enabled=\"true\",kind=\"sealing\"} 1\n", miner, StringComparison.Ordinal);
        Assert.DoesNotContain("kiln_worker_", miner, StringComparison.Ordinal);

        var worker = await ScrapeAsync(http, new Uri(new Uri(_cluster.Worker!.RpcUrl), "/debug/metrics"));
        Assert.Contains("kiln_worker_tasks_total{outcome=\"succeeded\",task=\"seal/v0/addpiece\"} 1\n", worker, StringComparison.Ordinal);
        Assert.Contains("kiln_worker_task_duration_seconds_bucket{outcome=\"succeeded\",task=\"seal/v0/addpiece\",le=\"+Inf\"} 1\n", worker, StringComparison.Ordinal);
        Assert.DoesNotContain("kiln_miner_", worker, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        return await response.Content.ReadAsStringAsync();
    }
}
