using System.Collections;
using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>
/// A go-bitfield <c>bitfield.BitField</c>: a set of unsigned integers (sector numbers in a partition) held as
/// runs of consecutive members. JSON (go-bitfield <c>rle.MarshalJSON</c>): an array of run lengths that alternate
/// absent, present, absent, ... and always start with an absent run, which is <c>0</c> when the first member is 0;
/// {0, 1, 2, 8, 9} is <c>[0,3,5,2]</c> and the empty set is <c>[0]</c>. Decoding accepts a zero-length run only first
/// and reads <c>null</c> as the empty set, as go-bitfield does.
/// </summary>
[JsonConverter(typeof(BitFieldJsonConverter))]
public sealed class BitField : IEquatable<BitField>, IEnumerable<ulong>
{
    /// <summary>Members as sorted, disjoint, non-adjacent half-open ranges [Start, End).</summary>
    private readonly (ulong Start, ulong End)[] _ranges;

    private BitField((ulong Start, ulong End)[] ranges) => _ranges = ranges;

    public static BitField Empty { get; } = new([]);

    /// <summary>Members in this set.</summary>
    public ulong Count
    {
        get
        {
            ulong n = 0;
            foreach (var (start, end) in _ranges)
            {
                n += end - start;
            }

            return n;
        }
    }

    public bool IsEmpty => _ranges.Length == 0;

    public static BitField FromSet(IEnumerable<ulong> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var sorted = members.Distinct().Order().ToArray();
        var ranges = new List<(ulong Start, ulong End)>();
        foreach (var m in sorted)
        {
            if (m == ulong.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(members), "a bitfield holds members below 2^64 - 1");
            }

            if (ranges.Count > 0 && ranges[^1].End == m)
            {
                ranges[^1] = (ranges[^1].Start, m + 1);
            }
            else
            {
                ranges.Add((m, m + 1));
            }
        }

        return new BitField([.. ranges]);
    }

    /// <summary>
    /// The set the JSON run lengths describe (absent first). A run of length 0 is allowed only first; a trailing
    /// absent run is dropped, as go-bitfield's RLE+ encoder drops it.
    /// </summary>
    /// <exception cref="FormatException">A zero-length run after the first, or runs that pass 2^64.</exception>
    public static BitField FromRuns(IReadOnlyList<ulong> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var ranges = new List<(ulong Start, ulong End)>();
        ulong position = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var length = runs[i];
            if (length == 0)
            {
                if (i != 0)
                {
                    throw new FormatException($"bitfield run {i} has length 0: only the first run may be empty");
                }

                continue;
            }

            if (length > ulong.MaxValue - position)
            {
                throw new FormatException("bitfield runs pass 2^64");
            }

            if (i % 2 == 1)
            {
                ranges.Add((position, position + length));
            }

            position += length;
        }

        return new BitField([.. ranges]);
    }

    /// <summary>The JSON run lengths: absent first (0 when the first member is 0), then alternating; <c>[0]</c> when empty.</summary>
    public IReadOnlyList<ulong> ToRuns()
    {
        if (_ranges.Length == 0)
        {
            return [0];
        }

        var runs = new List<ulong>(_ranges.Length * 2);
        ulong position = 0;
        foreach (var (start, end) in _ranges)
        {
            runs.Add(start - position);
            runs.Add(end - start);
            position = end;
        }

        return runs;
    }

    public bool Contains(ulong value)
    {
        int lo = 0, hi = _ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var (start, end) = _ranges[mid];
            if (value < start)
            {
                hi = mid - 1;
            }
            else if (value >= end)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Members of this set or <paramref name="other"/> (go-bitfield <c>MergeBitFields</c>).</summary>
    public BitField Union(BitField other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = new List<(ulong Start, ulong End)>(_ranges.Length + other._ranges.Length);
        foreach (var r in _ranges.Concat(other._ranges).OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && r.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, r.End));
            }
            else
            {
                merged.Add(r);
            }
        }

        return new BitField([.. merged]);
    }

    /// <summary>Members of this set that are not in <paramref name="other"/> (go-bitfield <c>SubtractBitField</c>).</summary>
    public BitField Subtract(BitField other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new List<(ulong Start, ulong End)>(_ranges.Length);
        var j = 0;
        foreach (var (start, end) in _ranges)
        {
            var cursor = start;
            while (j < other._ranges.Length && other._ranges[j].End <= cursor)
            {
                j++;
            }

            for (var k = j; k < other._ranges.Length && other._ranges[k].Start < end; k++)
            {
                if (other._ranges[k].Start > cursor)
                {
                    result.Add((cursor, other._ranges[k].Start));
                }

                cursor = Math.Max(cursor, other._ranges[k].End);
            }

            if (cursor < end)
            {
                result.Add((cursor, end));
            }
        }

        return new BitField([.. result]);
    }

    public IEnumerator<ulong> GetEnumerator()
    {
        foreach (var (start, end) in _ranges)
        {
            for (var v = start; v < end; v++)
            {
                yield return v;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(BitField? other) => other is not null && _ranges.AsSpan().SequenceEqual(other._ranges);

    public override bool Equals(object? obj) => Equals(obj as BitField);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var r in _ranges)
        {
            hash.Add(r);
        }

        return hash.ToHashCode();
    }

    /// <summary>The JSON form, e.g. <c>[0,3,5,2]</c>.</summary>
    public override string ToString() => "[" + string.Join(',', ToRuns()) + "]";
}
