using System.Text.Json;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.PoSt;
using Kiln.Stores.Remote;
using Kiln.Testing;
using Kiln.Worker.Rpc;
using Kiln.Worker.Run;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests;

/// <summary>
/// A PoSt worker's <c>GenerateWindowPoSt</c> / <c>GenerateWinningPoSt</c> through <see cref="WorkerApi"/> on the
/// lotus-bench 2 KiB sector sealed into the worker's own storage, proven with the insecure test prover.
/// </summary>
public sealed class PoStWorkerTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kiln-post-" + Guid.NewGuid().ToString("N"));
    private readonly MemSectorIndex _index = new();
    private readonly InsecureTestProver _prover = new();
    private LocalStore _store = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _store = new LocalStore(_index, new LocalStoreOptions { Urls = ["http://worker.test/remote"] });
        await BenchSector.SealAsync(_store, _index, Path.Combine(_dir, "store"), Path.Combine(_dir, "work"), ct: Ct);
        // No other host exists: any sector not in the worker's own storage is unreadable.
        _http = new HttpClient(new NoHosts());
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private WorkerApi Api(TaskType task, TaskType? requested = null)
    {
        var options = new WorkerOptions { RepoPath = _dir, RequestedTasks = new HashSet<TaskType> { requested ?? task } };
        var reader = new VanillaProofReader(_store, _index, _http, new VanillaReaderOptions());
        return new WorkerApi(options, _store, null!, null!, _ => null, NullLogger.Instance, null, new PartitionProver(reader, _prover, new PartitionProverOptions { ParallelReads = 2 }));
    }

    private static PostSectorChallenge Challenge(RegisteredPoStProof proof, byte[] randomness, ulong sector) =>
        new(RegisteredSealProof.StackedDrg2KiBV1_1, sector, Cid.Parse(BenchSector.CommR),
            PoStChallenges.GenerateFallbackSectorChallenges(proof, randomness, [sector])[sector], false);

    /// <summary>Zero randomness with the top two bits of byte 31 set: the worker clears them, so proofs are of zero randomness.</summary>
    private static byte[] Randomness()
    {
        var r = new byte[32];
        r[31] = 0xc0;
        return r;
    }

    private static PublicReplica Replica(RegisteredPoStProof proof, ulong sector) => new(proof, CommCid.ParseSealedCid(BenchSector.CommR), sector);

    [Fact]
    public async Task Window_post_of_a_local_sector_verifies()
    {
        await using var api = Api(TaskType.GenerateWindowPoSt);
        var zero = new byte[32];
        var result = await api.GenerateWindowPoStAsync(
            RegisteredPoStProof.StackedDrgWindow2KiBV1_1, BenchSector.Miner, [Challenge(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, zero, 1)], 0, Randomness(), Ct);

        Assert.Null(result.Skipped);
        Assert.Equal(1, result.KilnTimings!.VanillasRead);
        Assert.True(result.KilnTimings.VanillaMicros > 0, "reading a vanilla proof takes time");
        Assert.Equal(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, result.PoStProofs.ProofType);
        var proof = new PoStProofBytes(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, result.PoStProofs.ProofBytes!);
        Assert.True(_prover.VerifyWindowPoSt(zero, [Replica(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, 1)], [proof], ProverId.FromActorId(BenchSector.Miner)));
        Assert.False(_prover.VerifyWindowPoSt(Randomness(), [Replica(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, 1)], [proof], ProverId.FromActorId(BenchSector.Miner)));
    }

    [Fact]
    public async Task Window_post_with_a_sector_no_host_holds_answers_skipped_without_error()
    {
        await using var api = Api(TaskType.GenerateWindowPoSt);
        var zero = new byte[32];
        var sectors = new[] { Challenge(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, zero, 1), Challenge(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, zero, 2) };
        var result = await api.GenerateWindowPoStAsync(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, BenchSector.Miner, sectors, 0, Randomness(), Ct);

        Assert.Equal([new SectorId(BenchSector.Miner, 2)], result.Skipped);
        Assert.Equal((1, 0L), (result.KilnTimings!.VanillasRead, result.KilnTimings.SnarkMicros));
        Assert.Equal(
            """{"PoStProofs":{"PoStProof":0,"ProofBytes":null},"Skipped":[{"Miner":1000,"Number":2}]}""",
            JsonSerializer.Serialize(result with { KilnTimings = null }, ApiJson.Options));
    }

    [Fact]
    public async Task Winning_post_verifies_and_an_unreadable_sector_is_an_error()
    {
        await using var api = Api(TaskType.GenerateWinningPoSt);
        var zero = new byte[32];
        var proofs = await api.GenerateWinningPoStAsync(
            RegisteredPoStProof.StackedDrgWinning2KiBV1, BenchSector.Miner, [Challenge(RegisteredPoStProof.StackedDrgWinning2KiBV1, zero, 1)], Randomness(), Ct);
        var proof = Assert.Single(proofs);
        Assert.Equal(RegisteredPoStProof.StackedDrgWinning2KiBV1, proof.ProofType);
        Assert.True(_prover.VerifyWinningPoSt(
            zero, [Replica(RegisteredPoStProof.StackedDrgWinning2KiBV1, 1)], [new PoStProofBytes(0, proof.ProofBytes!)], ProverId.FromActorId(BenchSector.Miner)));

        var e = await Assert.ThrowsAsync<RpcException>(() => api.GenerateWinningPoStAsync(
            RegisteredPoStProof.StackedDrgWinning2KiBV1, BenchSector.Miner, [Challenge(RegisteredPoStProof.StackedDrgWinning2KiBV1, zero, 2)], Randomness(), Ct));
        Assert.Contains("get winning sector", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoSt_calls_need_their_task_type_and_32_bytes_of_randomness()
    {
        await using var sealing = Api(TaskType.GenerateWindowPoSt, requested: TaskType.Fetch);
        await Assert.ThrowsAsync<RpcException>(() => sealing.GenerateWindowPoStAsync(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, BenchSector.Miner, [], 0, new byte[32], Ct));
        var mixed = await Assert.ThrowsAsync<RpcException>(() => sealing.TaskEnableAsync(TaskType.GenerateWindowPoSt, Ct));
        Assert.Contains("expected all task types to be for WdPoSt worker", mixed.Message, StringComparison.Ordinal);

        await using var window = Api(TaskType.GenerateWindowPoSt);
        await Assert.ThrowsAsync<RpcException>(() => window.GenerateWinningPoStAsync(RegisteredPoStProof.StackedDrgWinning2KiBV1, BenchSector.Miner, [], new byte[32], Ct));
        var e = await Assert.ThrowsAsync<RpcException>(() => window.GenerateWindowPoStAsync(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, BenchSector.Miner, [], 0, new byte[31], Ct));
        Assert.Contains("32 bytes", e.Message, StringComparison.Ordinal);
    }

    private sealed class NoHosts : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException($"no host {request.RequestUri!.Host}");
    }
}
