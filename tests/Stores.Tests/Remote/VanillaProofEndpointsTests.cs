using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Stores.Index;
using Kiln.Stores.Remote;
using Kiln.Stores.Tests.Support;
using Kiln.Testing;

namespace Kiln.Stores.Tests.Remote;

/// <summary>
/// <c>POST /remote/vanilla/single</c> and <c>/remote/vanilla/porep</c> on the lotus-bench 2 KiB sector
/// (Lotus cmd/lotus-bench/simple.go's example steps) sealed by Kiln into a storage path; Lotus http_handler.go
/// <c>generateSingleVanillaProof</c> and <c>generatePoRepVanillaProof</c> serve these routes.
/// </summary>
public sealed class VanillaProofEndpointsTests : IAsyncLifetime
{
    private const string CommR = BenchSector.CommR;
    private const string CommD = BenchSector.CommD;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDir _dir = new();
    private readonly MemSectorIndex _index = new();
    private StoreHost _host = null!;

    private string Root => _dir.Sub("store");

    public async Task InitializeAsync()
    {
        _host = await StoreHost.StartAsync("worker.test", _index);
        await BenchSector.SealAsync(_host.Store, _index, Root, _dir.Sub("work"), ct: Ct);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _dir.Dispose();
    }

    private static string SingleBody(ulong sector, string challenges, int proofType = 10) =>
        $$"""{"Miner":1000,"Sector":{"SealProof":5,"SectorNumber":{{sector}},"SealedCID":{"/":"{{CommR}}"},"Challenge":[{{challenges}}],"Update":false},"ProofType":{{proofType}}}""";

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        _host.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Single_answers_the_vector_window_proof_bytes()
    {
        var r = await PostAsync("/remote/vanilla/single", SingleBody(1, "23,6,60,28,53,28,61,55,8,46"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/octet-stream", r.Content.Headers.ContentType!.MediaType);
        var bytes = await r.Content.ReadAsByteArrayAsync();
        Assert.Equal(5680, bytes.Length);
        Assert.Equal("2a1def6184097d681ff65e3ad0dcad0d2d619f3efc9be1bc1f4784415763561a", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task Unknown_sectors_and_malformed_requests_are_500_with_the_reason()
    {
        var missing = await PostAsync("/remote/vanilla/single", SingleBody(77, "1,2"));
        Assert.Equal(HttpStatusCode.InternalServerError, missing.StatusCode);
        Assert.Contains("s-t01000-77", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var malformed = await PostAsync("/remote/vanilla/single", "{\"Miner\":");
        Assert.Equal(HttpStatusCode.InternalServerError, malformed.StatusCode);
        Assert.StartsWith("decoding request", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var badType = await PostAsync("/remote/vanilla/single", SingleBody(1, "1", proofType: 99));
        Assert.Equal(HttpStatusCode.InternalServerError, badType.StatusCode);
        Assert.Contains("unknown PoSt proof type 99", await badType.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var beyond = await PostAsync("/remote/vanilla/single", SingleBody(1, "64"));
        Assert.Equal(HttpStatusCode.InternalServerError, beyond.StatusCode);

        // Nothing served changed the sector.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/remote/vanilla/single", SingleBody(1, "23,6,60,28,53,28,61,55,8,46"))).StatusCode);
        // As in Lotus, a GET lands on /remote/{type}/{id} with an unknown type.
        Assert.Equal(HttpStatusCode.InternalServerError, (await _host.Client.GetAsync("/remote/vanilla/single")).StatusCode);
    }

    private static string Challenge(ulong sector, string challenges) =>
        $$"""{"SealProof":5,"SectorNumber":{{sector}},"SealedCID":{"/":"{{CommR}}"},"Challenge":[{{challenges}}],"Update":false}""";

    private static string BatchBody(int proofType, params string[] sectors) =>
        $$"""{"Miner":1000,"ProofType":{{proofType}},"Sectors":[{{string.Join(",", sectors)}}]}""";

    [Fact]
    public async Task Window_answers_what_this_host_holds_and_skips_the_rest()
    {
        var r = await PostAsync("/remote/vanilla/window", BatchBody(10, Challenge(77, "1,2"), Challenge(1, "23,6,60,28,53,28,61,55,8,46"), Challenge(5, "3")));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var proofs = json.RootElement.GetProperty("Proofs");
        Assert.Equal(1, proofs.GetArrayLength());
        Assert.Equal(1UL, proofs[0].GetProperty("SectorNumber").GetUInt64());
        var bytes = proofs[0].GetProperty("Proof").GetBytesFromBase64();
        // The same bytes /remote/vanilla/single answers for these challenges.
        Assert.Equal("2a1def6184097d681ff65e3ad0dcad0d2d619f3efc9be1bc1f4784415763561a", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal([77UL, 5UL], json.RootElement.GetProperty("Skipped").EnumerateArray().Select(e => e.GetUInt64()));
    }

    [Fact]
    public async Task Winning_answers_a_winning_vanilla_proof_and_skips_bad_challenges()
    {
        var challenges = string.Join(",", Enumerable.Range(0, 66).Select(i => i % 64));
        var r = await PostAsync("/remote/vanilla/winning", BatchBody(0, Challenge(1, challenges), Challenge(1, "64")));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var proofs = json.RootElement.GetProperty("Proofs");
        Assert.Equal(1, proofs.GetArrayLength());
        Assert.NotEmpty(proofs[0].GetProperty("Proof").GetBytesFromBase64());
        // A challenge outside the sector cannot be proven: skipped, not a 500.
        Assert.Equal([1UL], json.RootElement.GetProperty("Skipped").EnumerateArray().Select(e => e.GetUInt64()));
    }

    [Theory]
    [InlineData("/remote/vanilla/window", "{\"Miner\":")]
    [InlineData("/remote/vanilla/window", "{\"Miner\":1000,\"ProofType\":10}")]
    [InlineData("/remote/vanilla/window", "{\"Miner\":1000,\"ProofType\":99,\"Sectors\":[]}")]
    [InlineData("/remote/vanilla/window", "{\"Miner\":1000,\"ProofType\":0,\"Sectors\":[]}")]
    [InlineData("/remote/vanilla/winning", "{\"Miner\":1000,\"ProofType\":10,\"Sectors\":[]}")]
    public async Task Batch_routes_answer_500_only_for_a_malformed_body(string path, string body)
    {
        var r = await PostAsync(path, body);
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await r.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("/remote/vanilla/window", null)]
    [InlineData("/remote/vanilla/window", "read-only")]
    [InlineData("/remote/vanilla/winning", null)]
    [InlineData("/remote/vanilla/winning", "read-only")]
    public async Task Batch_routes_need_the_admin_token(string path, string? token)
    {
        using var client = _host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(BatchBody(10, Challenge(1, "1")), Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        var r = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("{\"Error\":\"unauthorized: missing admin permission\"}\n", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Porep_answers_a_commit1_output_that_verifies()
    {
        var seed = Convert.ToBase64String(Enumerable.Repeat((byte)5, 32).ToArray());
        var body = $$"""{"Sector":{"ID":{"Miner":1000,"Number":1},"ProofType":5},"Sealed":{"/":"{{CommR}}"},"Unsealed":{"/":"{{CommD}}"},"Ticket":"{{Convert.ToBase64String(new byte[32])}}","Seed":"{{seed}}"}""";
        var r = await PostAsync("/remote/vanilla/porep", body);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var output = Commit1Output.Parse(await r.Content.ReadAsByteArrayAsync());
        Assert.Null(PoRepVerifier.Verify(output, ProverId.FromActorId(1000), 1));
        Assert.Equal(Enumerable.Repeat((byte)5, 32), output.Seed);
    }

    // Regression: /remote/vanilla/single took any number of challenges and kept computing after the client left.
    [Theory]
    [InlineData("/remote/vanilla/single", 10, 11)]
    [InlineData("/remote/vanilla/single", 0, 67)]
    [InlineData("/remote/vanilla/single", 10, 5_000)]
    public async Task More_challenges_than_the_proof_type_has_per_sector_are_refused(string path, int proofType, int count)
    {
        var challenges = string.Join(",", Enumerable.Range(0, count).Select(i => i % 64));
        var r = await PostAsync(path, SingleBody(1, challenges, proofType));
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        var max = PoStProofInfo.Get((Kiln.Proofs.RegisteredPoStProof)proofType).ChallengeCount;
        Assert.Equal(
            $"sector s-t01000-1: {count} challenges, but {(Kiln.Proofs.RegisteredPoStProof)proofType} challenges at most {max} leaves per sector",
            await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Exactly_the_proof_types_challenge_count_is_served()
    {
        var winning = string.Join(",", Enumerable.Range(0, PoStProofInfo.WinningChallengeCount).Select(i => i % 64));
        var r = await PostAsync("/remote/vanilla/single", SingleBody(1, winning, proofType: 0));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(PoStProofInfo.Get(Kiln.Proofs.RegisteredPoStProof.StackedDrgWinning2KiBV1).VanillaProofByteLength, (await r.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Batch_routes_refuse_a_sector_with_too_many_challenges_and_too_many_sectors()
    {
        var tooMany = await PostAsync("/remote/vanilla/window", BatchBody(10, Challenge(1, "1,2"), Challenge(2, string.Join(",", Enumerable.Range(0, 11)))));
        Assert.Equal(HttpStatusCode.InternalServerError, tooMany.StatusCode);
        Assert.Contains("s-t01000-2: 11 challenges", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var sectors = Enumerable.Range(0, VanillaProofEndpoints.MaxBatchSectors + 1).Select(i => Challenge((ulong)i, "1")).ToArray();
        var tooLarge = await PostAsync("/remote/vanilla/window", BatchBody(10, sectors));
        Assert.Equal(HttpStatusCode.InternalServerError, tooLarge.StatusCode);
        Assert.Equal($"{VanillaProofEndpoints.MaxBatchSectors + 1} sectors in one request, at most {VanillaProofEndpoints.MaxBatchSectors}", await tooLarge.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_batch_looks_its_sectors_up_in_one_index_call()
    {
        var (index, counter) = CountingIndex.Wrap(_index);
        await using var host = await StoreHost.StartAsync("batch.test", index);
        await host.Store.OpenPathAsync(Root, Ct);
        counter.Calls.Clear();

        var sectors = new[] { Challenge(1, "23,6,60,28,53,28,61,55,8,46") }
            .Concat(Enumerable.Range(100, 50).Select(n => Challenge((ulong)n, "1")))
            .ToArray();
        var r = await host.Client.PostAsync("/remote/vanilla/window", new StringContent(BatchBody(10, sectors), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal(1, json.RootElement.GetProperty("Proofs").GetArrayLength());
        Assert.Equal(50, json.RootElement.GetProperty("Skipped").GetArrayLength());
        Assert.Equal(1, counter.CallsOf(nameof(ISectorIndex.StorageListAsync)));
        Assert.Equal(0, counter.CallsOf(nameof(ISectorIndex.StorageFindSectorAsync)));
    }

    [Fact]
    public async Task Proving_stops_when_the_caller_goes_away()
    {
        var replica = new PrivateReplicaInfo(
            Kiln.Proofs.RegisteredPoStProof.StackedDrgWindow2KiBV1_1,
            Path.Combine(Root, "cache", "s-t01000-1"),
            CommCid.ParseSealedCid(CommR),
            Path.Combine(Root, "sealed", "s-t01000-1"),
            1);
        ulong[] challenges = [23, 6, 60, 28, 53, 28, 61, 55, 8, 46];
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        Assert.Throws<OperationCanceledException>(() => VanillaPoSt.GenerateSingleVanillaProof(replica, challenges, 1, gone.Token));
        Assert.Throws<OperationCanceledException>(() => VanillaPoSt.GenerateSingleVanillaProof(replica, challenges, 4, gone.Token));
        // The same call with a live token proves the vector.
        var bytes = VanillaPoSt.GenerateSingleVanillaProof(replica, challenges, 1, CancellationToken.None);
        Assert.Equal("2a1def6184097d681ff65e3ad0dcad0d2d619f3efc9be1bc1f4784415763561a", Convert.ToHexStringLower(SHA256.HashData(bytes)));

        // Through the route: an aborted request computes nothing and answers nothing.
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            VanillaProofEndpoints.TryLocalSingleAsync(_host.Store, 1000, Kiln.Proofs.RegisteredPoStProof.StackedDrgWindow2KiBV1_1, new Kiln.Api.Types.PostSectorChallenge(Kiln.Proofs.RegisteredSealProof.StackedDrg2KiBV1_1, 1, Kiln.Api.Types.Cid.Parse(CommR), [.. challenges], false), aborted.Token));
    }

    [Fact]
    public async Task A_batch_whose_client_goes_away_is_cancelled_on_the_server()
    {
        var (index, counter) = CountingIndex.Wrap(_index);
        await using var host = await StoreHost.StartAsync("abort.test", index);
        await host.Store.OpenPathAsync(Root, Ct);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        counter.HoldStorageList = entered;

        using var client = new CancellationTokenSource();
        var request = host.Client.PostAsync(
            "/remote/vanilla/window", new StringContent(BatchBody(10, Challenge(1, "23,6,60,28,53,28,61,55,8,46")), Encoding.UTF8, "application/json"), client.Token);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await client.CancelAsync();

        // The request's abort reached the work the route was doing.
        await counter.StorageListCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
    }

    [Fact]
    public async Task A_cache_holding_a_symlink_is_not_proven_from()
    {
        var cache = Path.Combine(Root, "cache", "s-t01000-1");
        var moved = _dir.Sub("elsewhere-p_aux");
        File.Move(Path.Combine(cache, "p_aux"), moved);
        File.CreateSymbolicLink(Path.Combine(cache, "p_aux"), moved);

        var r = await PostAsync("/remote/vanilla/single", SingleBody(1, "23,6,60,28,53,28,61,55,8,46"));
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Contains("symlink", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The real file back in place: proven again.
        File.Delete(Path.Combine(cache, "p_aux"));
        File.Move(moved, Path.Combine(cache, "p_aux"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/remote/vanilla/single", SingleBody(1, "23,6,60,28,53,28,61,55,8,46"))).StatusCode);
    }

    [Fact]
    public async Task A_body_larger_than_the_route_takes_is_refused_before_it_is_decoded()
    {
        // A million challenges: about 3 MB of JSON, refused by its Content-Length ...
        var body = SingleBody(1, string.Join(",", Enumerable.Range(0, 1_000_000).Select(i => i % 64)));
        var declared = await PostAsync("/remote/vanilla/single", body);
        Assert.Equal(HttpStatusCode.InternalServerError, declared.StatusCode);
        Assert.Equal($"request body of {Encoding.UTF8.GetByteCount(body)} bytes, at most {VanillaProofEndpoints.MaxSingleBodyBytes}", await declared.Content.ReadAsStringAsync());

        // ... and, sent chunked with no length, once the first bytes past the limit are read.
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        chunked.Headers.ContentType = new("application/json");
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/remote/vanilla/single") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await _host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.InternalServerError, streamed.StatusCode);
        Assert.Equal($"request body larger than {VanillaProofEndpoints.MaxSingleBodyBytes} bytes", await streamed.Content.ReadAsStringAsync());
    }
}
