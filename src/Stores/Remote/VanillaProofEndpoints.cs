using System.Text.Json;
using Kiln.Api.IO;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Stores.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Kiln.Stores.Remote;

/// <summary>
/// Vanilla proofs served from a host's own storage (Lotus storage/paths/http_handler.go):
/// <c>POST /remote/vanilla/single</c> answers one sector's fallback-PoSt vanilla proof for the challenges the
/// miner derived, <c>POST /remote/vanilla/porep</c> a sector's Commit1 output. 200 with the raw bytes, or 500
/// with the error as plain text (a sector this host does not hold included).
/// </summary>
/// <remarks>
/// <c>POST /remote/vanilla/window</c> and <c>/remote/vanilla/winning</c> (Kiln's own, after the 2021 decoupled-PoSt
/// design; Lotus has neither and answers 405) take many sectors at once and answer every vanilla proof this host
/// can make from its own storage, JSON <see cref="VanillaBatchResult"/>, with the other sectors in <c>Skipped</c>:
/// a missing or unreadable sector is never a 500, only a malformed body is.
/// </remarks>
public static partial class VanillaProofEndpoints
{
    /// <summary>Lotus's SingleVanillaParams.</summary>
    public sealed record SingleVanillaParams(ulong Miner, PostSectorChallenge Sector, RegisteredPoStProof ProofType);

    /// <summary>Lotus's PoRepVanillaParams.</summary>
    public sealed record PoRepVanillaParams(SectorRef Sector, Cid Sealed, Cid Unsealed, byte[] Ticket, byte[] Seed);

    /// <summary>The body of <c>/remote/vanilla/window</c> and <c>/remote/vanilla/winning</c>: many sectors of one miner.</summary>
    public sealed record VanillaBatchParams(ulong Miner, RegisteredPoStProof ProofType, IReadOnlyList<PostSectorChallenge> Sectors);

    /// <summary>One sector's vanilla proof in a <see cref="VanillaBatchResult"/>.</summary>
    public sealed record SectorVanillaProof(ulong SectorNumber, byte[] Proof);

    /// <summary>The answer of <c>/remote/vanilla/window</c> and <c>/remote/vanilla/winning</c>: proofs in request order, the rest skipped.</summary>
    public sealed record VanillaBatchResult(IReadOnlyList<SectorVanillaProof> Proofs, IReadOnlyList<ulong> Skipped);

    /// <summary>
    /// The most sectors one batch request may name: the actors' AddressedSectorsMax (25,000, the most sectors one
    /// miner-actor call may address, more than any deadline's partitions hold at once).
    /// </summary>
    public const int MaxBatchSectors = 25_000;

    /// <summary>The largest body of <c>/vanilla/single</c> and <c>/vanilla/porep</c>: 66 challenges and a few CIDs fit many times over.</summary>
    public const long MaxSingleBodyBytes = 64 << 10;

    /// <summary>The largest body of a batch route: <see cref="MaxBatchSectors"/> sectors of 66 challenges each fit.</summary>
    public const long MaxBatchBodyBytes = 64L << 20;

    /// <summary>How many sectors of one batch request are proven at once.</summary>
    private static readonly int BatchParallelism = Math.Max(1, Environment.ProcessorCount);

    internal static void Map(RouteGroupBuilder group, LocalStore local, ILogger log)
    {
        var endpoints = new Endpoints(local, log);
        group.MapPost("vanilla/single", endpoints.SingleAsync);
        group.MapPost("vanilla/porep", endpoints.PoRepAsync);
        group.MapPost("vanilla/window", endpoints.WindowAsync);
        group.MapPost("vanilla/winning", endpoints.WinningAsync);
    }

    private sealed class Endpoints(LocalStore local, ILogger log)
    {
        public Task SingleAsync(HttpContext http) => ServeAsync<SingleVanillaParams>(http, log, "single", MaxSingleBodyBytes, Single);

        public Task PoRepAsync(HttpContext http) => ServeAsync<PoRepVanillaParams>(http, log, "porep", MaxSingleBodyBytes, PoRep);

        public Task WindowAsync(HttpContext http) => ServeAsync<VanillaBatchParams>(http, log, "window", MaxBatchBodyBytes, Window);

        public Task WinningAsync(HttpContext http) => ServeAsync<VanillaBatchParams>(http, log, "winning", MaxBatchBodyBytes, Winning);

        private async Task<Response> Single(SingleVanillaParams p, CancellationToken ct) =>
            Response.Bytes(await VanillaProofEndpoints.SingleAsync(local, p, ct).ConfigureAwait(false));

        private async Task<Response> PoRep(PoRepVanillaParams p, CancellationToken ct) =>
            Response.Bytes(await VanillaProofEndpoints.PoRepAsync(local, p, ct).ConfigureAwait(false));

        private Task<Response> Window(VanillaBatchParams p, CancellationToken ct) => BatchAsync(local, log, p, Kiln.Proofs.PoSt.PoStType.Window, ct);

        private Task<Response> Winning(VanillaBatchParams p, CancellationToken ct) => BatchAsync(local, log, p, Kiln.Proofs.PoSt.PoStType.Winning, ct);
    }

    /// <summary>A 200 body and its content type.</summary>
    private readonly record struct Response(byte[] Body, string ContentType)
    {
        public static Response Bytes(byte[] body) => new(body, RemoteStoreEndpoints.OctetStream);

        public static Response Json<T>(T value) => new(JsonSerializer.SerializeToUtf8Bytes(value, ApiJson.Options), "application/json");
    }

    private static async Task<byte[]> SingleAsync(LocalStore local, SingleVanillaParams p, CancellationToken ct)
    {
        var challenge = p.Sector ?? throw new FormatException("no Sector in the request");
        var sector = new SectorRef(new SectorId(p.Miner, challenge.SectorNumber), challenge.SealProof);
        return await TryLocalSingleAsync(local, p.Miner, PostProof(p.ProofType), challenge, ct).ConfigureAwait(false)
            ?? throw new StoresException($"sector {sector.ID.ToSectorName()}: {SectorFileTypes.Format(ReplicaFiles(challenge))} not in this host's storage");
    }

    /// <summary>
    /// The files a sector's PoSt reads (Lotus storage/paths/local.go <c>GenerateSingleVanillaProof</c> and remote.go
    /// <c>GenerateSingleVanillaProof</c>): the sealed file and cache, or for a snap-upgraded sector
    /// (<see cref="PostSectorChallenge.Update"/>) the update replica and its update-cache.
    /// </summary>
    internal static SectorFileType ReplicaFiles(PostSectorChallenge challenge) =>
        challenge.Update ? SectorFileType.Update | SectorFileType.UpdateCache : SectorFileType.Sealed | SectorFileType.Cache;

    /// <summary>
    /// One sector's vanilla proof from this host's own paths (Lotus <c>Local.GenerateSingleVanillaProof</c>), or null
    /// when no local path holds both its replica and its cache (<see cref="ReplicaFiles"/>). An updated sector is
    /// proven over its update replica and update-cache against its new sealed CID, as rust-fil-proofs does when
    /// Lotus hands it those paths. <paramref name="ct"/> stops the proof between challenges.
    /// </summary>
    /// <exception cref="Kiln.Proofs.ProofsException">The files are here but the proof fails (corrupt, wrong comm_r, bad challenge).</exception>
    /// <exception cref="FormatException">More challenges than the proof type challenges per sector (<see cref="CheckChallenges"/>).</exception>
    internal static async Task<byte[]?> TryLocalSingleAsync(
        LocalStore local, ulong miner, RegisteredPoStProof postProof, PostSectorChallenge challenge, CancellationToken ct)
    {
        CheckChallenges(miner, postProof, challenge);
        var sector = new SectorRef(new SectorId(miner, challenge.SectorNumber), challenge.SealProof);
        var types = ReplicaFiles(challenge);
        var acquired = await local.AcquireSectorAsync(sector, types, SectorFileType.None, PathType.Storage, ct).ConfigureAwait(false);
        if ((types & ~acquired.Paths.Present) != SectorFileType.None)
        {
            return null;
        }

        return await ProveAsync(acquired.Paths, postProof, challenge, ct).ConfigureAwait(false);
    }

    /// <summary>The vanilla proof over the replica and cache in <paramref name="paths"/>, off the request thread.</summary>
    private static Task<byte[]> ProveAsync(SectorPaths paths, RegisteredPoStProof postProof, PostSectorChallenge challenge, CancellationToken ct)
    {
        var (replicaPath, cacheDir) = challenge.Update ? (paths.Update, paths.UpdateCache) : (paths.Sealed, paths.Cache);
        if ((SectorPathGuard.SymlinkIn(replicaPath) ?? SectorPathGuard.SymlinkIn(cacheDir)) is { } link)
        {
            throw new StoresException($"sector {challenge.SectorNumber}: refusing to prove from {link}, a symlink inside a storage path");
        }

        var commR = challenge.SealedCID.ToSealedCommitment();
        var replica = new PrivateReplicaInfo(postProof, cacheDir, commR, replicaPath, challenge.SectorNumber);
        var challenges = (challenge.Challenge ?? []).ToArray();
        return Task.Run(() => VanillaPoSt.GenerateSingleVanillaProof(replica, challenges, 1, ct), ct);
    }

    /// <summary>
    /// The cap on challenges per request: a sector is challenged <see cref="PoStProofInfo.ChallengeCount"/> leaves by its
    /// PoSt proof type (rust-fil-proofs WINNING_POST_CHALLENGE_COUNT 66, WINDOW_POST_CHALLENGE_COUNT 10; Lotus hands
    /// <c>GenerateSingleVanillaProof</c> exactly those), so a request with more is malformed and nothing is computed.
    /// </summary>
    /// <exception cref="FormatException">More challenges than the proof type has per sector.</exception>
    internal static void CheckChallenges(ulong miner, RegisteredPoStProof postProof, PostSectorChallenge challenge)
    {
        var count = challenge.Challenge?.Count ?? 0;
        var max = PoStProofInfo.Get(postProof).ChallengeCount;
        if (count > max)
        {
            throw new FormatException(
                $"sector {new SectorId(miner, challenge.SectorNumber).ToSectorName()}: {count} challenges, but {postProof} challenges at most {max} leaves per sector");
        }
    }

    /// <summary>The proof type of a request, checked.</summary>
    /// <exception cref="FormatException">Not a PoSt proof type Kiln knows.</exception>
    internal static RegisteredPoStProof PostProof(RegisteredPoStProof proofType)
        => Enum.IsDefined(proofType) ? proofType : throw new FormatException($"unknown PoSt proof type {(long)proofType}");

    private static async Task<Response> BatchAsync(LocalStore local, ILogger log, VanillaBatchParams p, Kiln.Proofs.PoSt.PoStType kind, CancellationToken ct)
    {
        var postProof = PostProof(p.ProofType);
        if (PoStProofInfo.Get(postProof).Type != kind)
        {
            throw new FormatException($"{postProof} is not a {kind} PoSt proof type");
        }

        var sectors = p.Sectors ?? throw new FormatException("no Sectors in the request");
        if (sectors.Count > MaxBatchSectors)
        {
            throw new FormatException($"{sectors.Count} sectors in one request, at most {MaxBatchSectors}");
        }

        if (sectors.Any(s => s is null))
        {
            throw new FormatException("null entry in Sectors");
        }

        foreach (var s in sectors)
        {
            CheckChallenges(p.Miner, postProof, s);
        }

        // One index call for the whole batch: which of these sectors have their replica and cache in this host's paths.
        var held = await local.FindLocalSectorsAsync(p.Miner, [.. sectors.Select(s => (s.SectorNumber, ReplicaFiles(s)))], ct).ConfigureAwait(false);
        var proofs = new byte[]?[sectors.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, sectors.Count), new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = ct }, async (i, c) =>
        {
            var challenge = sectors[i];
            if (!held.TryGetValue((challenge.SectorNumber, ReplicaFiles(challenge)), out var paths))
            {
                return;
            }

            try
            {
                proofs[i] = await ProveAsync(paths, postProof, challenge, c).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ProofsException or StoresException or IOException or FormatException or ArgumentException)
            {
                LogSectorSkipped(log, kind.ToString(), challenge.SectorNumber, e.Message);
            }
        }).ConfigureAwait(false);

        var served = new List<SectorVanillaProof>();
        var skipped = new List<ulong>();
        for (var i = 0; i < sectors.Count; i++)
        {
            if (proofs[i] is { } proof)
            {
                served.Add(new SectorVanillaProof(sectors[i].SectorNumber, proof));
            }
            else
            {
                skipped.Add(sectors[i].SectorNumber);
            }
        }

        return Response.Json(new VanillaBatchResult(served, skipped));
    }

    private static async Task<byte[]> PoRepAsync(LocalStore local, PoRepVanillaParams p, CancellationToken ct)
    {
        var proof = SealProofInfo.Get(p.Sector.ProofType);
        var (sealedPath, cache) = await SealedFilesAsync(local, p.Sector, ct).ConfigureAwait(false);
        var commD = p.Unsealed.ToUnsealedCommitment();
        // The data as one sector-sized piece: its commitment is comm_d itself.
        var pieces = new[] { new Kiln.Proofs.Pieces.PieceCommitment(new PaddedPieceSize(proof.SectorSize), new Commitment(commD)) };
        var request = new Commit1Request(proof, cache, sealedPath, ProverId.FromActorId(p.Sector.ID.Miner), p.Sector.ID.Number, p.Ticket, p.Seed, p.Sealed.ToSealedCommitment(), commD, pieces);
        return (await Commit1.RunAsync(request, ct).ConfigureAwait(false)).ToJson();
    }

    private static async Task<(string Sealed, string Cache)> SealedFilesAsync(LocalStore local, SectorRef sector, CancellationToken ct)
    {
        var types = SectorFileType.Sealed | SectorFileType.Cache;
        var acquired = await local.AcquireSectorAsync(sector, types, SectorFileType.None, PathType.Storage, ct).ConfigureAwait(false);
        var missing = types & ~acquired.Paths.Present;
        return missing == SectorFileType.None
            ? (acquired.Paths.Sealed, acquired.Paths.Cache)
            : throw new StoresException($"sector {sector.ID.ToSectorName()}: {SectorFileTypes.Format(missing)} not in this host's storage");
    }

    private static async Task ServeAsync<T>(HttpContext http, ILogger log, string kind, long maxBody, Func<T, CancellationToken, Task<Response>> produce)
    {
        var ct = http.RequestAborted;
        string error;
        try
        {
            if (http.Request.ContentLength > maxBody)
            {
                throw new FormatException($"request body of {http.Request.ContentLength} bytes, at most {maxBody}");
            }

            var body = new CappedReadStream(http.Request.Body, maxBody);
            await using var bodyScope = body.ConfigureAwait(false);
            var request = await JsonSerializer.DeserializeAsync<T>(body, ApiJson.Options, ct).ConfigureAwait(false)
                ?? throw new FormatException("empty request body");
            var response = await produce(request, ct).ConfigureAwait(false);
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = response.ContentType;
            http.Response.ContentLength = response.Body.Length;
            await http.Response.Body.WriteAsync(response.Body, ct).ConfigureAwait(false);
            return;
        }
        catch (JsonException e)
        {
            error = "decoding request: " + e.Message;
        }
        catch (Exception e) when (e is FormatException or ProofsException or StoresException or IOException or ArgumentException)
        {
            error = e.Message;
        }

        LogFailed(log, kind, error);
        http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(error, ct).ConfigureAwait(false);
    }

    /// <summary>Reads through to the request body and fails (a <see cref="FormatException"/>) past <c>max</c> bytes, so no larger body is buffered.</summary>
    private sealed class CappedReadStream(Stream inner, long max) : ForwardReadStream
    {
        private long _read;

        public override long Position => _read;

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private int Count(int n)
        {
            _read += n;
            return _read > max ? throw new FormatException($"request body larger than {max} bytes") : n;
        }
    }

    [LoggerMessage(EventId = 3103, EventName = "VanillaRequestFailed", Level = LogLevel.Warning, Message = "/remote/vanilla/{Kind} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string kind, string error);

    [LoggerMessage(EventId = 3104, EventName = "VanillaRequestSectorSkipped", Level = LogLevel.Debug, Message = "/remote/vanilla/{Kind}: skipping sector {Sector}: {Error}")]
    private static partial void LogSectorSkipped(ILogger logger, string kind, ulong sector, string error);
}
