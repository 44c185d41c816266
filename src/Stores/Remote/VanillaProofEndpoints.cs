using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Cid;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Post;
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
public static partial class VanillaProofEndpoints
{
    /// <summary>Lotus's SingleVanillaParams.</summary>
    public sealed record SingleVanillaParams(ulong Miner, PostSectorChallenge Sector, Kiln.Api.Types.RegisteredPoStProof ProofType);

    /// <summary>Lotus's PoRepVanillaParams.</summary>
    public sealed record PoRepVanillaParams(SectorRef Sector, Cid Sealed, Cid Unsealed, byte[] Ticket, byte[] Seed);

    internal static void Map(RouteGroupBuilder group, LocalStore local, ILogger log)
    {
        var endpoints = new Endpoints(local, log);
        group.MapPost("vanilla/single", endpoints.SingleAsync);
        group.MapPost("vanilla/porep", endpoints.PoRepAsync);
    }

    private sealed class Endpoints(LocalStore local, ILogger log)
    {
        public Task SingleAsync(HttpContext http) => ServeAsync<SingleVanillaParams>(http, log, "single", Single);

        public Task PoRepAsync(HttpContext http) => ServeAsync<PoRepVanillaParams>(http, log, "porep", PoRep);

        private Task<byte[]> Single(SingleVanillaParams p, CancellationToken ct) => VanillaProofEndpoints.SingleAsync(local, p, ct);

        private Task<byte[]> PoRep(PoRepVanillaParams p, CancellationToken ct) => VanillaProofEndpoints.PoRepAsync(local, p, ct);
    }

    private static async Task<byte[]> SingleAsync(LocalStore local, SingleVanillaParams p, CancellationToken ct)
    {
        var challenge = p.Sector ?? throw new FormatException("no Sector in the request");
        if (challenge.Update)
        {
            throw new StoresException("vanilla proofs of updated (snap) sectors are not supported by Kiln");
        }

        var postProof = (Kiln.Proofs.Post.RegisteredPoStProof)(long)p.ProofType;
        if (!Enum.IsDefined(postProof))
        {
            throw new FormatException($"unknown PoSt proof type {(long)p.ProofType}");
        }

        var sector = new SectorRef(new SectorId(p.Miner, challenge.SectorNumber), challenge.SealProof);
        var (sealedPath, cache) = await SealedFilesAsync(local, sector, ct).ConfigureAwait(false);
        var commR = CommCid.ParseSealedCid(challenge.SealedCID.ToString());
        var replica = new PrivateReplicaInfo(postProof, cache, commR, sealedPath, challenge.SectorNumber);
        var challenges = (challenge.Challenge ?? []).ToArray();
        return await Task.Run(() => VanillaPoSt.GenerateSingleVanillaProof(replica, challenges), ct).ConfigureAwait(false);
    }

    private static async Task<byte[]> PoRepAsync(LocalStore local, PoRepVanillaParams p, CancellationToken ct)
    {
        var proof = SealProofInfo.Get((long)p.Sector.ProofType);
        var (sealedPath, cache) = await SealedFilesAsync(local, p.Sector, ct).ConfigureAwait(false);
        var commD = CommCid.ParsePieceCid(p.Unsealed.ToString());
        // The data as one sector-sized piece: its commitment is comm_d itself.
        var pieces = new[] { new Kiln.Proofs.Pieces.PieceInfo(new PaddedPieceSize(proof.SectorSize), new Commitment(commD)) };
        var request = new Commit1Request(proof, cache, sealedPath, ProverId.FromActorId(p.Sector.ID.Miner), p.Sector.ID.Number, p.Ticket, p.Seed, CommCid.ParseSealedCid(p.Sealed.ToString()), commD, pieces);
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

    private static async Task ServeAsync<T>(HttpContext http, ILogger log, string kind, Func<T, CancellationToken, Task<byte[]>> produce)
    {
        var ct = http.RequestAborted;
        string error;
        try
        {
            var request = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, ApiJson.Options, ct).ConfigureAwait(false)
                ?? throw new FormatException("empty request body");
            var bytes = await produce(request, ct).ConfigureAwait(false);
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = RemoteStoreEndpoints.OctetStream;
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
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

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "/remote/vanilla/{Kind} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string kind, string error);
}
