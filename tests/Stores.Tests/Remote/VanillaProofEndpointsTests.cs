using System.Net;
using System.Security.Cryptography;
using System.Text;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Stores.Index;
using Kiln.Stores.Tests.Support;

namespace Kiln.Stores.Tests.Remote;

/// <summary>
/// <c>POST /remote/vanilla/single</c> and <c>/remote/vanilla/porep</c> on the lotus-bench 2 KiB sector
/// (vectors-commitments-post.md §7, §9.2) sealed by Kiln into a storage path.
/// </summary>
public sealed class VanillaProofEndpointsTests : IAsyncLifetime
{
    private const string CommR = "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c";
    private const string CommD = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDir _dir = new();
    private readonly MemSectorIndex _index = new();
    private StoreHost _host = null!;

    private string Root => _dir.Sub("store");

    public async Task InitializeAsync()
    {
        _host = await StoreHost.StartAsync("worker.test", _index);
        var meta = await _host.Store.AttachAsync(Root, init: true, canSeal: true, canStore: true, ct: Ct);
        var info = SealProofInfo.Get(SealProof.StackedDrg2KiBV1_1);
        var unsealed = Path.Combine(Directory.CreateDirectory(_dir.Sub("work")).FullName, "unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, 2048, [], new UnpaddedPieceSize(2032), new MemoryStream(new byte[2032]), Ct)).Piece;
        var cache = Path.Combine(Root, "cache", "s-t01000-1");
        var sealedPath = Path.Combine(Root, "sealed", "s-t01000-1");
        var pc1 = await PreCommit1.RunAsync(new PreCommit1Request(info, unsealed, sealedPath, cache, 1000, 1, new byte[32], [piece]), new ParentCacheOptions { Directory = _dir.Sub("parents") });
        Assert.Equal(CommR, (await PreCommit2.RunAsync(pc1, cache, sealedPath)).SealedCid);
        await _index.StorageDeclareSectorAsync(meta.ID, new SectorId(1000, 1), SectorFileType.Sealed | SectorFileType.Cache, true, Ct);
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
}
