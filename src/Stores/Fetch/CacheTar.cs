using System.Collections.Frozen;
using System.Formats.Tar;
using Kiln.Api.IO;

namespace Kiln.Stores.Fetch;

/// <summary>
/// Receiving a cache directory sent as <c>application/x-tar</c> (lotus: storage/sealer/tarutil/systar.go): only the
/// member names Lotus expects in a cache directory, each up to its size limit, as plain files. Lotus's server never
/// writes the end-of-archive blocks nor the last member's padding, so a stream that ends right after the last
/// member's data is complete; one that ends inside a member's data is not.
/// </summary>
public static class CacheTar
{
    /// <summary>Lotus <c>CacheFileConstraints</c>: member name → largest accepted size in bytes.</summary>
    public static FrozenDictionary<string, long> FileConstraints { get; } = BuildConstraints();

    /// <summary>Extracts <paramref name="body"/> into <paramref name="dir"/> (created when missing); returns the bytes written.</summary>
    /// <exception cref="StoresException">An unexpected member, an oversize or non-file member, or a truncated stream.</exception>
    public static async Task<long> ExtractAsync(Stream body, string dir, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var padded = new EndPaddingStream(body);
        long written = 0;
        try
        {
            var reader = new TarReader(padded, leaveOpen: true);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
            {
                if (!FileConstraints.TryGetValue(entry.Name, out var max))
                {
                    throw new StoresException($"tar file \"{entry.Name}\" isn't expected");
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    throw new StoresException($"tar member \"{entry.Name}\" is not a regular file ({entry.EntryType})");
                }

                if (entry.Length > max)
                {
                    throw new StoresException($"tar file \"{entry.Name}\" is bigger than expected: {entry.Length} > {max}");
                }

                var target = SectorPathGuard.Child(dir, entry.Name);
                var f = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (f.ConfigureAwait(false))
                {
                    if (entry.DataStream is { } data)
                    {
                        await data.CopyToAsync(f, 1 << 20, ct).ConfigureAwait(false);
                    }
                }

                if (padded.SyntheticBytes > 0)
                {
                    throw new StoresException($"tar stream ends inside \"{entry.Name}\"");
                }

                written += entry.Length;
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new StoresException("reading tar stream: " + e.Message, inner: e);
        }

        return written;
    }

    private static FrozenDictionary<string, long> BuildConstraints()
    {
        var d = new Dictionary<string, long>
        {
            ["p_aux"] = 64,
            ["t_aux"] = 10240,
            ["sc-02-data-tree-r-last.dat"] = 10_000_000,
            ["sc-02-data-tree-d.dat"] = 130L << 30,
        };
        for (var i = 0; i <= 15; i++)
        {
            d[$"sc-02-data-tree-r-last-{i}.dat"] = 10_000_000;
            d[$"sc-02-data-tree-c-{i}.dat"] = 5L << 30;
        }

        for (var i = 1; i <= 11; i++)
        {
            d[$"sc-02-data-layer-{i}.dat"] = 65L << 30;
        }

        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// After the inner stream ends, yields the zeros a complete tar would still have (the last member's padding and
    /// the two end blocks) and counts them, so a caller can tell a missing trailer from missing data.
    /// </summary>
    private sealed class EndPaddingStream(Stream inner) : ForwardReadStream
    {
        private const int MaxSynthetic = 511 + 1024;

        public long SyntheticBytes { get; private set; }


        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            return n > 0 || buffer.IsEmpty ? n : Pad(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return n > 0 || buffer.IsEmpty ? n : Pad(buffer.Span);
        }

        private int Pad(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, MaxSynthetic - SyntheticBytes);
            buffer[..n].Clear();
            SyntheticBytes += n;
            return n;
        }
    }
}
