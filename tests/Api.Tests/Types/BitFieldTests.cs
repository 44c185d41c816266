using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Api.Tests.Types;

/// <summary>go-bitfield's JSON (rle.MarshalJSON / UnmarshalJSON): run lengths, absent run first.</summary>
public sealed class BitFieldTests
{
    private static string Json(BitField value) => JsonSerializer.Serialize(value, ApiJson.Options);

    private static BitField Read(string json) => JsonSerializer.Deserialize<BitField>(json, ApiJson.Options)!;

    [Theory]
    [InlineData(new ulong[] { 0, 1, 2, 8, 9 }, "[0,3,5,2]")] // go-bitfield rle.MarshalJSON's doc comment
    [InlineData(new ulong[] { 1, 5, 6, 7, 10, 11, 12, 15 }, "[1,1,3,3,2,3,2,1]")] // go-bitfield TestBitfieldJson
    [InlineData(new ulong[] { 5 }, "[5,1]")] // Lotus's StateMinerPartitions doc example
    [InlineData(new ulong[] { 0 }, "[0,1]")]
    [InlineData(new ulong[] { }, "[0]")] // go-bitfield: an empty bitfield marshals as [0]
    [InlineData(new ulong[] { 2349, 2350, 1_000_000 }, "[2349,2,997649,1]")]
    public void Known_sets_round_trip_through_their_run_lengths(ulong[] members, string json)
    {
        var field = BitField.FromSet(members);

        Assert.Equal(json, Json(field));
        Assert.Equal(field, Read(json));
        Assert.Equal(members, Read(json).ToArray());
        Assert.Equal((ulong)members.Length, field.Count);
        Assert.Equal(json, field.ToString());
    }

    [Theory]
    [InlineData("null", "[0]")] // Go unmarshals null into an empty run list
    [InlineData("[]", "[0]")]
    [InlineData("[7]", "[0]")] // only an absent run: nothing set
    [InlineData("[0,3,5]", "[0,3]")] // a trailing absent run is dropped, as go-bitfield's RLE+ encoder drops it
    [InlineData("[2,1,0]", null)] // a zero-length run after the first is refused
    [InlineData("[1,0,2]", null)]
    [InlineData("[-1]", null)]
    [InlineData("[1.5]", null)]
    [InlineData("{\"a\":1}", null)]
    [InlineData("[18446744073709551615,1]", null)] // past 2^64
    public void Decoding_accepts_what_go_bitfield_accepts_and_normalises_it(string json, string? normalised)
    {
        if (normalised is null)
        {
            Assert.Throws<JsonException>(() => Read(json));
        }
        else
        {
            Assert.Equal(normalised, Json(Read(json)));
        }
    }

    [Fact]
    public void Union_and_subtract_work_on_runs()
    {
        var live = BitField.FromRuns([0, 9]); // 0..8
        var faulty = BitField.FromRuns([3, 2]); // 3, 4
        var recovering = BitField.FromRuns([4, 1]); // 4

        Assert.Equal([0UL, 1, 2, 5, 6, 7, 8], live.Subtract(faulty).ToArray());
        Assert.Equal([0UL, 1, 2, 4, 5, 6, 7, 8], live.Subtract(faulty).Union(recovering).ToArray());
        Assert.Equal("[0,3,1,5]", live.Subtract(faulty).Union(recovering).ToString());
        Assert.Equal("[0,9]", live.Subtract(faulty).Union(faulty).ToString()); // adjacent runs merge
        Assert.True(live.Subtract(live).IsEmpty);
        Assert.Equal(live, live.Subtract(BitField.Empty));
        Assert.Equal("[1,1,1,1,3,1]", BitField.FromSet([1, 3, 7]).Union(BitField.Empty).ToString());
        Assert.Equal("[3,1]", BitField.FromSet([1, 3, 7]).Subtract(BitField.FromRuns([0, 2, 3, 10])).ToString());
        Assert.True(live.Contains(0) && live.Contains(8) && !live.Contains(9) && !faulty.Contains(2));
    }

    [Fact]
    public void Random_sets_round_trip_and_set_operations_match_hash_sets()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var a = Enumerable.Range(0, random.Next(0, 60)).Select(_ => (ulong)random.Next(0, 100)).ToHashSet();
            var b = Enumerable.Range(0, random.Next(0, 60)).Select(_ => (ulong)random.Next(0, 100)).ToHashSet();
            var fa = BitField.FromSet(a);
            var fb = BitField.FromSet(b);

            Assert.Equal(fa, Read(Json(fa)));
            Assert.Equal(a.Order(), fa.ToArray());
            Assert.Equal(a.Union(b).Order(), fa.Union(fb).ToArray());
            Assert.Equal(a.Except(b).Order(), fa.Subtract(fb).ToArray());
            Assert.All(Enumerable.Range(0, 101).Select(v => (ulong)v), v => Assert.Equal(a.Contains(v), fa.Contains(v)));
        }
    }
}
