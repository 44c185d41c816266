using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Cli;
using Kiln.Miner.Hosting;
using Kiln.Miner.Repo;
using Kiln.Miner.Rpc;
using Kiln.Miner.Sealing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Miner.Tests.Rpc;

/// <summary>
/// Lotus's batching methods on the miner's API (SectorPreCommitPending/Flush, SectorCommitPending/Flush) over the
/// wire of a real miner host: the batch queues come from the host's services, the answers have the JSON shapes of
/// Lotus's []abi.SectorID and []sealiface.*BatchRes, and they need admin as Lotus's //perm:admin tags say.
/// </summary>
public sealed class BatchingRpcTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly Cid PreCommitMsg = Cid.Parse("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4");
    private static readonly Cid CommitMsg = Cid.Parse("bafy2bzaceab5mrohjvnp3mz7mo33ky7qqlmssrs7veqmjrgouafxyhnd5dy66");

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-batching-").FullName;
    private readonly FakeBatchQueues _queues = new();
    private WebApplication _app = null!;
    private MinerRepo _repo = null!;

    public async Task InitializeAsync() => (_app, _repo) = await StartAsync(_queues, "repo");

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(WebApplication App, MinerRepo Repo)> StartAsync(IBatchQueues? queues, string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var repo = MinerRepo.Open(Path.Combine(_dir, name));
        builder.Services.AddKilnMiner(repo, o => o.DatabaseBackupInterval = TimeSpan.Zero);
        if (queues is not null)
        {
            builder.Services.AddSingleton(queues);
        }

        var app = builder.Build();
        await app.MapKilnMinerAsync(cancellationToken: None);
        await app.StartAsync(None);
        return (app, repo);
    }

    private static IKilnMinerApi Client(MinerRepo repo, string? token = null) =>
        RpcClient.Create(new ApiInfo(repo.ReadToken(), repo.ReadApi()!).HttpUrl(), new RpcClientOptions { Token = token ?? repo.ReadToken() }).CreateProxy<IKilnMinerApi>();

    /// <summary>The raw JSON-RPC answer of a call without parameters, as a Lotus client reads it.</summary>
    private async Task<JsonElement> RawAsync(string method)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new ApiInfo(_repo.ReadToken(), _repo.ReadApi()!).HttpUrl())
        {
            Content = new StringContent($$"""{"jsonrpc":"2.0","method":"Filecoin.{{method}}","params":[],"id":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _repo.ReadToken());
        using var response = await http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("result").Clone();
    }

    [Fact]
    public async Task Pending_lists_the_queued_sectors_as_this_miners_sector_ids_sorted_by_number()
    {
        _queues.PreCommits.AddRange([FakeBatchQueues.Entry(7), FakeBatchQueues.Entry(5)]);
        _queues.Commits.Add(FakeBatchQueues.Entry(3));
        var api = Client(_repo);

        Assert.Equal([new SectorId(1000, 5), new SectorId(1000, 7)], await api.SectorPreCommitPendingAsync(None));
        Assert.Equal([new SectorId(1000, 3)], await api.SectorCommitPendingAsync(None));
        Assert.Equal("""[{"Miner":1000,"Number":5},{"Miner":1000,"Number":7}]""", (await RawAsync("SectorPreCommitPending")).GetRawText());
        Assert.Equal(0, _queues.PreCommitFlushes);
    }

    [Fact]
    public async Task Commit_flush_answers_each_batch_with_its_message_error_and_failed_sectors_as_lotus_writes_them()
    {
        _queues.Commits.AddRange([FakeBatchQueues.Entry(3), FakeBatchQueues.Entry(4), FakeBatchQueues.Entry(9)]);
        _queues.CommitResults =
        [
            new BatchResult([3, 4], CommitMsg, null) { FailedSectors = new Dictionary<ulong, string> { [4] = "sector 4: commit2 proof does not verify" } },
            new BatchResult([9], null, "insufficient funds: worker t0100 has 0.1 FIL, the batch needs 0.3 FIL"),
        ];

        var raw = await RawAsync("SectorCommitFlush");

        Assert.Equal(1, _queues.CommitFlushes);
        Assert.Equal(2, raw.GetArrayLength());
        Assert.Equal(
            """{"Sectors":[3,4],"FailedSectors":{"4":"sector 4: commit2 proof does not verify"},"Msg":{"/":"bafy2bzaceab5mrohjvnp3mz7mo33ky7qqlmssrs7veqmjrgouafxyhnd5dy66"},"Error":""}""",
            raw[0].GetRawText());
        Assert.Equal("""{"Sectors":[9],"FailedSectors":{},"Msg":null,"Error":"insufficient funds: worker t0100 has 0.1 FIL, the batch needs 0.3 FIL"}""", raw[1].GetRawText());
    }

    [Fact]
    public async Task PreCommit_flush_round_trips_and_an_empty_queue_answers_null_as_lotus_does()
    {
        _queues.PreCommits.AddRange([FakeBatchQueues.Entry(5), FakeBatchQueues.Entry(7)]);
        _queues.PreCommitResults = [new BatchResult([5, 7], PreCommitMsg, null)];
        var api = Client(_repo);

        var sent = Assert.Single((await api.SectorPreCommitFlushAsync(None))!);
        Assert.Equal([5UL, 7UL], sent.Sectors);
        Assert.Equal((PreCommitMsg, ""), (sent.Msg, sent.Error));
        Assert.Empty(await api.SectorPreCommitPendingAsync(None));

        Assert.Null(await api.SectorPreCommitFlushAsync(None));
        Assert.Equal(JsonValueKind.Null, (await RawAsync("SectorPreCommitFlush")).ValueKind);
        Assert.Equal(3, _queues.PreCommitFlushes);
    }

    [Fact]
    public async Task A_flush_that_cannot_send_answers_an_error_naming_the_batch_and_the_cause()
    {
        _queues.Commits.Add(FakeBatchQueues.Entry(3));
        _queues.CommitFlushError = new InvalidOperationException("full node at 127.0.0.1:1234 refused StateMinerInfo: connection refused");

        var e = await Assert.ThrowsAsync<RpcException>(() => Client(_repo).SectorCommitFlushAsync(None));

        Assert.Equal("sending the commit batch failed: full node at 127.0.0.1:1234 refused StateMinerInfo: connection refused", e.Message);
    }

    [Fact]
    public async Task The_batching_methods_need_admin()
    {
        var reader = Client(_repo, _repo.Secret.CreateToken([Permission.Read]));

        var pending = await Assert.ThrowsAsync<RpcException>(() => reader.SectorCommitPendingAsync(None));
        var flush = await Assert.ThrowsAsync<RpcException>(() => reader.SectorPreCommitFlushAsync(None));

        Assert.Contains("missing permission to invoke 'SectorCommitPending' (need 'admin')", pending.Message, StringComparison.Ordinal);
        Assert.Contains("missing permission to invoke 'SectorPreCommitFlush' (need 'admin')", flush.Message, StringComparison.Ordinal);
        Assert.Equal(0, _queues.PreCommitFlushes);
    }

    [Fact]
    public async Task A_miner_with_no_queues_registered_answers_from_its_pipelines_batches()
    {
        var (app, repo) = await StartAsync(null, "bare");
        await using var _ = app;

        Assert.Empty(await Client(repo).SectorPreCommitPendingAsync(None));
        Assert.Empty(await Client(repo).SectorCommitPendingAsync(None));
    }

    [Fact]
    public async Task Batching_publish_now_prints_each_batch_over_the_wire()
    {
        _queues.Commits.AddRange([FakeBatchQueues.Entry(3), FakeBatchQueues.Entry(4)]);
        _queues.CommitResults = [new BatchResult([3, 4], CommitMsg, null) { FailedSectors = new Dictionary<ulong, string> { [4] = "bad proof" } }];
        var api = Client(_repo);
        var output = new StringWriter();

        var code = await SectorsCommands.BatchingAsync(output, TextWriter.Null, TextReader.Null, api.SectorCommitPendingAsync, api.SectorCommitFlushAsync, publishNow: true, None);

        Assert.Equal(0, code);
        Assert.Equal($"Batch 0:\n\tMessage: {CommitMsg}\n\tSectors:\n\t\t3\tOK\n\t\t4\tERROR bad proof\n", output.ToString().ReplaceLineEndings("\n"));
    }
}
