using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.PoSt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Stores.Remote;

/// <summary>
/// Lotus <c>Remote.GenerateSingleVanillaProof</c> (storage/paths/remote.go) for PoSt workers: a sector's vanilla proof
/// from this host's own paths when they hold its sealed file and cache (update and update-cache for a snap-upgraded
/// sector), else from each holder the index names (<c>StorageFindSector(sealed|cache)</c>) in turn through <c>POST &lt;BaseURL&gt;/vanilla/single</c>: 404 means "not
/// here", any other non-200 is an error, and both move on to the next holder. Bounded, timed reads of many sectors
/// are <see cref="PartitionProver"/>'s.
/// </summary>
public sealed partial class VanillaProofReader : IVanillaSource
{
    private readonly LocalStore _local;
    private readonly ISectorIndex _index;
    private readonly HttpClient _http;
    private readonly VanillaReaderOptions _options;
    private readonly ILogger _log;
    private readonly StoresMetrics? _metrics;
    private long _remoteRequests;

    public VanillaProofReader(
        LocalStore local, ISectorIndex index, HttpClient http, VanillaReaderOptions options, ILogger<VanillaProofReader>? logger = null, StoresMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _local = local;
        _index = index;
        _http = http;
        _options = options;
        _log = logger ?? (ILogger)NullLogger.Instance;
        _metrics = metrics;
    }

    /// <summary>The options this reader was made with.</summary>
    public VanillaReaderOptions Options => _options;

    /// <summary><c>POST /vanilla/single</c> requests sent to other hosts so far (also counted on <c>kiln.stores.vanilla.requests</c>).</summary>
    public long RemoteRequests => Interlocked.Read(ref _remoteRequests);

    /// <summary>One sector's vanilla proof: local paths first, then every holder in the index.</summary>
    /// <exception cref="StoresException">No host could deliver it (the message lists every holder's error).</exception>
    /// <exception cref="ProofsException">This host holds the sector but its proof fails.</exception>
    public async Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge challenge, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var postProof = VanillaProofEndpoints.PostProof(proofType);
        if (await VanillaProofEndpoints.TryLocalSingleAsync(_local, minerId, postProof, challenge, ct).ConfigureAwait(false) is { } local)
        {
            return local;
        }

        var sector = new SectorId(minerId, challenge.SectorNumber);
        var files = VanillaProofEndpoints.ReplicaFiles(challenge);
        var holders = await _index.StorageFindSectorAsync(sector, files, 0, false, ct).ConfigureAwait(false);
        if (holders.Count == 0)
        {
            throw new StoresException($"sector {sector.ToSectorName()}: no host holds its {SectorFileTypes.Format(files)}");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new VanillaProofEndpoints.SingleVanillaParams(minerId, challenge, proofType), ApiJson.Options);
        var errors = new List<string>();
        foreach (var holder in holders)
        {
            foreach (var baseUrl in holder.BaseURLs ?? [])
            {
                var url = baseUrl.TrimEnd('/') + "/vanilla/single";
                try
                {
                    if (await PostSingleAsync(url, body, ct).ConfigureAwait(false) is { } proof)
                    {
                        return proof;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or StoresException or IOException
                                          || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    errors.Add($"{url} (storage {holder.ID}): {e.Message}");
                    LogHolderFailed(sector.ToSectorName(), url, e.Message);
                }
            }
        }

        throw new StoresException(errors.Count == 0
            ? $"sector {sector.ToSectorName()}: not found on any of its {holders.Count} holder(s)"
            : $"sector {sector.ToSectorName()}: reading the vanilla proof failed: {string.Join("; ", errors)}");
    }

    /// <summary>The proof bytes, or null on 404 (the holder does not have the sector).</summary>
    private async Task<byte[]?> PostSingleAsync(string url, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_options.AuthToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        Interlocked.Increment(ref _remoteRequests);
        _metrics?.VanillaRequested();
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new StoresException($"non-200 code {(int)response.StatusCode}: {text.Trim()}");
        }

        return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3105, EventName = "VanillaHolderFailed", Level = LogLevel.Warning, Message = "Vanilla proof of {Sector} from {Url} failed: {Error}")]
    private partial void LogHolderFailed(string sector, string url, string error);

}
