/// Name tables for synthetic residents, weighted roughly as in Vietnam (Nguyễn about 38% of the population).
enum VietnameseNames {
    /// Family names; `southern` replaces Hoàng/Vũ by Huỳnh/Võ for people registered in the south.
    static func familyNames(southern: Bool) -> WeightedTable<String> {
        WeightedTable([
            ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), (southern ? "Huỳnh" : "Hoàng", 5.1),
            ("Phan", 4.5), (southern ? "Võ" : "Vũ", 3.9), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
            ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.6), ("Trịnh", 0.5), ("Lâm", 0.4), ("Mai", 0.4),
            ("Trương", 0.5), ("Cao", 0.3), ("Hà", 0.3), ("Lương", 0.3), ("Đoàn", 0.4), ("Tạ", 0.2), ("Chu", 0.2),
            ("Kiều", 0.1), ("Tô", 0.1), ("Quách", 0.1), ("Vương", 0.1), (southern ? "Hoàng" : "Huỳnh", 0.3),
            (southern ? "Vũ" : "Võ", 0.4),
        ])
    }

    static let maleMiddleNames = [
        "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Trọng", "Anh", "Hoàng", "Gia", "Tuấn",
        "Mạnh", "Đình", "Bảo", "Quốc", "Thanh", "Duy",
    ]
    static let femaleMiddleNames = [
        "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Khánh", "Phương", "Kim", "Mai", "Hồng", "Diệu", "Thùy", "Hải",
        "Quỳnh", "Lan", "Tuyết", "Hoài",
    ]
    static let maleGivenNames = [
        "An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Dương", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
        "Khang", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Quân",
        "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trung", "Tú", "Tuấn", "Việt", "Vinh", "Vũ",
        "Hưng", "Khôi", "Đông", "Hậu",
    ]
    static let femaleGivenNames = [
        "An", "Anh", "Bích", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hồng", "Hương",
        "Huyền", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên",
        "Quỳnh", "Thảo", "Thu", "Thủy", "Trang", "Trâm", "Uyên", "Vân", "Vy", "Yến", "Hạnh", "Tâm", "Nhi", "Trinh",
    ]
}
