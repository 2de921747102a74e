import Testing
@testable import LuaflowCore

@Suite struct TimerScheduleTests {
    static let second: UInt64 = 1_000_000_000

    @Test func timersFireOnTheirBeat() {
        var schedule = TimerSchedule()
        #expect(schedule.add(seconds: 1, now: 0) == 1)
        #expect(schedule.add(seconds: 2.5, now: 0) == 2)
        schedule.seal()
        #expect(schedule.add(seconds: 1, now: 0) == nil, "sealed once the script's top level ran")
        schedule.start(now: 10 * Self.second)
        #expect(schedule.untilNext(now: 10 * Self.second) == Self.second)
        #expect(schedule.takeDue(now: 10 * Self.second + 999) == [])
        #expect(schedule.takeDue(now: 11 * Self.second) == [1])
        #expect(schedule.takeDue(now: 12 * Self.second + Self.second / 2) == [1, 2])
        #expect(schedule.untilNext(now: 12 * Self.second + Self.second / 2) == Self.second / 2)
    }

    @Test func aLateTimerFiresOnceAndKeepsItsBeat() {
        var schedule = TimerSchedule()
        _ = schedule.add(seconds: 1, now: 0)
        schedule.start(now: 0)
        #expect(schedule.takeDue(now: 5 * Self.second + 10) == [1])
        #expect(schedule.takeDue(now: 5 * Self.second + 20) == [])
        #expect(schedule.untilNext(now: 5 * Self.second) == Self.second)
    }

    @Test func durationsAndSizesInConfig() {
        #expect(DurationText.seconds("10s") == 10)
        #expect(DurationText.seconds("500ms") == 0.5)
        #expect(DurationText.seconds("2m") == 120)
        #expect(DurationText.seconds("1.5h") == 5400)
        #expect(DurationText.seconds(3) == 3)
        #expect(DurationText.seconds("soon") == nil)
        #expect(DurationText.seconds("-1s") == nil)
        #expect(ByteSizeText.bytes("1MB") == 1 << 20)
        #expect(ByteSizeText.bytes("256mb") == 256 << 20)
        #expect(ByteSizeText.bytes("2KB") == 2048)
        #expect(ByteSizeText.bytes(100) == 100)
        #expect(ByteSizeText.bytes("lots") == nil)
    }
}
